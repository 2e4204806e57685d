/** Small hooks shared by pages: loading an API resource, re-reading it on live events. */
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { api, errorText } from "./api.ts";
import { RECONNECTED, useLive } from "./live.ts";
import type { LiveEvent } from "./types.ts";

export interface Resource<T> {
  data: T | undefined;
  error: string | undefined;
  reload: () => void;
  set: (v: T) => void;
}

/** GET `path` (null: nothing to load yet), again whenever `path` changes or `reload()` is called. */
export function useApi<T>(path: string | null): Resource<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!path) return;
    const ctl = new AbortController();
    api<T>(path, { signal: ctl.signal }).then(
      (d) => {
        setData(d);
        setError(undefined);
      },
      (e) => {
        if (!ctl.signal.aborted) setError(errorText(e));
      },
    );
    return () => ctl.abort();
  }, [path, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data, error, reload, set: setData };
}

/** Calls `reload` (debounced by `ms`) when a live event of one of `types` arrives, and after a reconnect. */
export function useLiveReload(types: string[], reload: () => void, filter?: (e: LiveEvent) => boolean, ms = 400) {
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  useLive((e) => {
    if (e.type !== RECONNECTED && (!types.includes(e.type) || (filter && !filter(e)))) return;
    clearTimeout(timer.current);
    timer.current = setTimeout(reload, ms);
  });
}

/** Re-renders every `ms` (elapsed times, "3 minutes ago"). */
export function useTicker(ms: number) {
  const [, set] = useState(0);
  useEffect(() => {
    const id = setInterval(() => set((n) => n + 1), ms);
    return () => clearInterval(id);
  }, [ms]);
}
