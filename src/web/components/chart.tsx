/**
 * A uPlot chart: lines and bars over labelled points (days, hours). The canvas is hidden from screen readers; the
 * same numbers are in a table under "show as a table", and the legend is HTML. In Hebrew the value axis sits on
 * the right (where the reader starts) while time still runs left to right, as numbers and clocks do.
 */
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import { lang, t } from "../i18n.ts";

export interface ChartSeries {
  label: string;
  color: string;
  values: Array<number | null>;
  kind: "line" | "bars";
  dash?: number[];
  /** Dots on a line's points (a few points per chart). */
  points?: boolean;
}

const AXIS = { stroke: "#475569", grid: { stroke: "#e2e8f0", width: 1 }, ticks: { stroke: "#cbd5e1", width: 1 }, font: "12px system-ui, sans-serif" };

export function Chart(props: {
  title: string;
  xLabels: string[];
  series: ChartSeries[];
  /** A value as the table shows it (with its unit). */
  yFormat: (v: number) => string;
  /** A tick of the value axis (short; the unit is in the chart's caption). */
  yTick: (v: number) => string;
  /** Whole numbers only on the value axis (counts). */
  integer?: boolean;
  xTitle: string;
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const rtl = lang.value === "he";
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const n = props.xLabels.length;
    const bars = uPlot.paths.bars!({ size: [0.65, 48], align: 0 });
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: props.height ?? 220,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false, range: [-0.5, n - 0.5] }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.15 : 1] } },
      axes: [
        { ...AXIS, space: 44, incrs: [1, 2, 3, 4, 6, 8, 12], values: (_u, splits) => splits.map((i) => props.xLabels[Math.round(i)] ?? "") },
        { ...AXIS, side: rtl ? 1 : 3, size: 48, ...(props.integer ? { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] } : {}), values: (_u, splits) => splits.map((v) => props.yTick(v)) },
      ],
      series: [
        {},
        ...props.series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          dash: s.dash,
          fill: s.kind === "bars" ? `${s.color}cc` : undefined,
          paths: s.kind === "bars" ? bars : undefined,
          points: { show: s.kind === "line" && !!s.points, size: 6, fill: s.color },
          spanGaps: false,
        })),
      ],
    };
    const data: uPlot.AlignedData = [props.xLabels.map((_, i) => i), ...props.series.map((s) => s.values)];
    const plot = new uPlot(opts, data, el);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(200, el.clientWidth), height: props.height ?? 220 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [JSON.stringify(props.series), props.xLabels.join(), rtl]);

  return (
    <figure class="min-w-0">
      <figcaption class="sr-only">{props.title}</figcaption>
      <ul class="mb-2 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-700" aria-hidden="true">
        {props.series.map((s) => (
          <li key={s.label} class="inline-flex items-center gap-1.5">
            {s.kind === "bars" ? (
              <span class="inline-block h-2.5 w-4 rounded-sm" style={{ background: s.color }} />
            ) : (
              <span class="inline-block h-0 w-5" style={{ borderTop: `3px ${s.dash ? "dotted" : "solid"} ${s.color}` }} />
            )}
            {s.label}
          </li>
        ))}
      </ul>
      {/* the canvas reads left to right in both languages; the table below carries the numbers for everyone */}
      <div ref={box} dir="ltr" aria-hidden="true" class="w-full overflow-hidden" />
      <details class="mt-2 text-sm">
        <summary class="cursor-pointer text-indigo-700">{t("showAsTable")}</summary>
        <div class="mt-2 max-h-64 overflow-auto" tabIndex={0} aria-label={props.title}>
          <table class="w-full text-start text-xs">
            <thead>
              <tr class="text-slate-600">
                <th class="py-1 text-start font-medium">{props.xTitle}</th>
                {props.series.map((s) => (
                  <th key={s.label} class="py-1 text-start font-medium">
                    {s.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {props.xLabels.map((x, i) => (
                <tr key={x} class="border-t border-slate-100">
                  <th scope="row" class="py-1 text-start font-normal">
                    <bdi dir="ltr">{x}</bdi>
                  </th>
                  {props.series.map((s) => (
                    <td key={s.label} class="py-1">
                      {s.values[i] == null ? "—" : props.yFormat(s.values[i]!)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
