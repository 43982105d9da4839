// Grafana's dashboard model (@grafana/schema), as JSON holds it: a dashboard file has an enum's value ("absolute"),
// never the TypeScript enum, so each string enum is taken as the union of its values; everything else is unchanged,
// and the compiler's excess-property check reports fields the model does not have.
import type { Dashboard } from "@grafana/schema";

type AsJson<T> = T extends string
  ? `${T}`
  : T extends readonly (infer U)[]
    ? AsJson<U>[]
    : T extends object
      ? { [K in keyof T]: AsJson<T[K]> }
      : T;

export type DashboardJson = AsJson<Dashboard>;
