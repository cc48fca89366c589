import { useEffect, useRef, type ReactNode } from 'react';

/**
 * A dialog over the page: Escape or the backdrop closes it, focus moves into it on open and
 * back to where it was on close, and Tab stays inside it.
 */
export function Modal({ label, onClose, children, wide = false }: { label: string; onClose: () => void; children: ReactNode; wide?: boolean }): React.JSX.Element {
  const box = useRef<HTMLDivElement>(null);
  const closeRef = useRef(onClose);
  closeRef.current = onClose;
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const el = box.current!;
    const focusable = (): HTMLElement[] => [...el.querySelectorAll<HTMLElement>('button, a[href], input, select, textarea, [tabindex]:not([tabindex="-1"])')].filter((x) => !x.hasAttribute('disabled'));
    (focusable()[0] ?? el).focus();
    const key = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') {
        // A query editor uses Escape itself (closing its completion list).
        if (e.defaultPrevented || (e.target instanceof Element && e.target.closest('.cm-editor'))) return;
        e.preventDefault();
        closeRef.current();
      } else if (e.key === 'Tab') {
        const f = focusable();
        if (f.length === 0) return;
        const first = f[0]!;
        const last = f[f.length - 1]!;
        if (e.shiftKey && document.activeElement === first) {
          e.preventDefault();
          last.focus();
        } else if (!e.shiftKey && document.activeElement === last) {
          e.preventDefault();
          first.focus();
        }
      }
    };
    document.addEventListener('keydown', key);
    return () => {
      document.removeEventListener('keydown', key);
      before?.focus();
    };
  }, []);
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div ref={box} className={`modal card${wide ? ' modal-wide' : ''}`} role="dialog" aria-modal="true" aria-label={label} tabIndex={-1}>
        {children}
      </div>
    </div>
  );
}
