export {};
/**
 * Open-loop load from a second process: `bun scripts/bench/load.ts URL RATE SECONDS` fires RATE requests a
 * second on an absolute schedule (not waiting for answers) and prints the latencies (ms) as JSON on stdout.
 */
const [url, rateArg, secondsArg] = process.argv.slice(2);
const rate = Number(rateArg ?? 2000);
const seconds = Number(secondsArg ?? 5);
const total = Math.round(rate * seconds);
const latencies: number[] = [];
let errors = 0;
const started = performance.now();
const pending: Promise<void>[] = [];
for (let i = 0; i < total; i++) {
  const due = started + (i * 1000) / rate;
  const wait = due - performance.now();
  if (wait > 1) await Bun.sleep(wait);
  const t0 = performance.now();
  pending.push(
    fetch(url!).then(
      async (r) => {
        await r.arrayBuffer();
        if (r.status === 200) latencies.push(performance.now() - t0);
        else errors++;
      },
      () => void errors++,
    ),
  );
}
await Promise.all(pending);
console.log(JSON.stringify({ latencies, errors, elapsedMs: performance.now() - started }));
