// Preloaded into each `baton` process the start-up bench spawns (`node --import`): at exit it
// reports the process's wall time since it started and the CPU time it used, on stderr.
import { writeSync } from 'node:fs';

process.on('exit', () => {
  const cpu = process.cpuUsage();
  const wall = performance.now(); // milliseconds since the process started (timeOrigin)
  writeSync(
    2,
    `\n@@startup wall=${wall.toFixed(2)} cpu=${((cpu.user + cpu.system) / 1000).toFixed(2)}\n`,
  );
});
