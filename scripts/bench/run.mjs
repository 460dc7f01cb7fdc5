// `pnpm bench [dispatch|output|failover|sandboxes|approvals|policy]`: Nexa's speed budgets, measured side by side
// with the bare operation in one run. Needs a build (`pnpm build`).
import { benchApprovals } from './approvals.mjs';
import { benchDispatch } from './dispatch.mjs';
import { benchFailover } from './failover.mjs';
import { benchOutput } from './output.mjs';
import { benchPolicy } from './policy.mjs';
import { benchSandboxes } from './sandboxes.mjs';

const benches = {
  dispatch: benchDispatch,
  output: benchOutput,
  failover: benchFailover,
  sandboxes: benchSandboxes,
  approvals: benchApprovals,
  policy: benchPolicy,
};
const chosen = process.argv.slice(2);
for (const name of chosen.length ? chosen : Object.keys(benches)) {
  const bench = benches[name];
  if (!bench) {
    console.error(`unknown bench "${name}"; choose from: ${Object.keys(benches).join(', ')}`);
    process.exit(2);
  }
  await bench();
}
