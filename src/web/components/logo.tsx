/** The logo (assets/logo.svg, bundled as a file) and the product's name. */
import logoUrl from "../../../assets/logo.svg";

export function Logo(props: { size?: number; withName?: boolean; class?: string }) {
  const size = props.size ?? 32;
  return (
    <span class={`inline-flex items-center gap-2 ${props.class ?? ""}`}>
      <img src={logoUrl} width={size} height={size} alt={props.withName ? "" : "AgentLocator"} />
      {props.withName && (
        <span class="text-lg font-bold tracking-tight" lang="en" dir="ltr">
          AgentLocator
        </span>
      )}
    </span>
  );
}
