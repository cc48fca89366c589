/** The logo: 一 ("one") drawn as a bar, so it needs no CJK font. */
export function BrandMark({ big = false }: { big?: boolean }): React.JSX.Element {
  return (
    <svg className={`brand-mark${big ? ' big' : ''}`} viewBox="0 0 24 24" aria-hidden="true">
      <rect width="24" height="24" rx="5" fill="var(--accent)" />
      <rect x="5" y="10.5" width="14" height="3" rx="1" fill="#fff" />
    </svg>
  );
}
