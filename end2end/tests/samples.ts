// The sample serials `serialtrace demo` printed for the database under test.
export type Sample = { outcome: string; serial: string; gtin?: string };

export function samples(): Map<string, Sample> {
  const raw = process.env.SERIALTRACE_SAMPLES;
  if (!raw) throw new Error('SERIALTRACE_SAMPLES is not set: run the browser tests with `make test`');
  const map = new Map<string, Sample>();
  for (const line of raw.split('\n')) {
    const [word, outcome, serial, gtin] = line.trim().split(/\s+/);
    if (word === 'sample' && outcome && serial) map.set(outcome, { outcome, serial, gtin });
  }
  return map;
}

export function sample(outcome: string): Sample {
  const s = samples().get(outcome);
  if (!s) throw new Error(`no sample for ${outcome}`);
  return s;
}
