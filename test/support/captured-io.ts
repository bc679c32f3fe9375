/**
 * A CLI io for `runCli` in the test's own process: what the command writes to stdout and
 * stderr is kept, to read back as text.
 */
export function capturedIo() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      out: (s: string) => void out.push(s),
      err: (s: string) => void err.push(s),
      color: false,
    },
    out: () => out.join(''),
    err: () => err.join(''),
  };
}
