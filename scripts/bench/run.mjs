// `pnpm bench [dispatch|output|failover|sandboxes|approvals|policy|tui] [--flags of the one bench]`: Nexa's speed budgets, measured side by side
// with the bare operation in one run. Needs a build (`pnpm build`).
import { benchApprovals } from './approvals.mjs';
import { benchDispatch } from './dispatch.mjs';
import { benchFailover } from './failover.mjs';
import { benchOutput } from './output.mjs';
import { benchPolicy } from './policy.mjs';
import { benchSandboxes } from './sandboxes.mjs';
import { benchTui } from './tui.mjs';

const benches = {
  dispatch: benchDispatch,
  output: benchOutput,
  failover: benchFailover,
  sandboxes: benchSandboxes,
  approvals: benchApprovals,
  policy: benchPolicy,
  tui: benchTui,
};
// Names first; anything from the first --flag on is the chosen bench's own (e.g. `tui --quick`).
const args = process.argv.slice(2);
const firstFlag = args.findIndex((arg) => arg.startsWith('-'));
const chosen = firstFlag === -1 ? args : args.slice(0, firstFlag);
const flags = firstFlag === -1 ? [] : args.slice(firstFlag);
for (const name of chosen.length ? chosen : Object.keys(benches)) {
  const bench = benches[name];
  if (!bench) {
    console.error(`unknown bench "${name}"; choose from: ${Object.keys(benches).join(', ')}`);
    process.exit(2);
  }
  await bench(flags);
}
