import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { authApi } from './auth.js';
import { loadCapabilities, type Capabilities } from './capabilities.js';
import { ApiError, onUnauthenticated } from './client.js';
import type { Me } from './schemas.js';

interface Session {
  /** undefined while loading; null when signed out. */
  readonly me: Me | null | undefined;
  readonly isAdmin: boolean;
  readonly canWrite: boolean;
  /** Backends present in this build (undefined until probed). */
  readonly caps: Capabilities | undefined;
  refresh(): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<Session | undefined>(undefined);

export function SessionProvider({ children }: { children: ReactNode }): React.JSX.Element {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [caps, setCaps] = useState<Capabilities>();
  const refresh = useCallback(async () => {
    try {
      setMe(await authApi.me());
    } catch (e) {
      if (e instanceof ApiError && (e.status === 401 || e.status === 403)) setMe(null);
      else throw e;
    }
  }, []);
  const signOut = useCallback(async () => {
    await authApi.logout().catch(() => undefined);
    setMe(null);
  }, []);
  useEffect(() => {
    void refresh();
    return onUnauthenticated(() => setMe(null));
  }, [refresh]);
  const signedIn = me !== null && me !== undefined;
  useEffect(() => {
    if (signedIn) void loadCapabilities().then(setCaps);
  }, [signedIn]);
  const isAdmin = me?.scopes.includes('admin') ?? false;
  const canWrite = isAdmin || (me?.scopes.includes('write') ?? false);
  return <SessionContext.Provider value={{ me, isAdmin, canWrite, caps, refresh, signOut }}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const v = useContext(SessionContext);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}
