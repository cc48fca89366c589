export function MetricsExplore(): React.JSX.Element {
  return <div />;
}
