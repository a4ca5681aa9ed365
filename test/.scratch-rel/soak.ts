import { ScaleNucleus } from '../../nodes/ScaleNucleus/ScaleNucleus.node.ts';
import { startEmulator } from '../emulator';
import { createTestCredentials, makeBinaryItem, runNode } from '../harness';
const N = Number(process.argv[2] ?? 5000);
const conc = Number(process.argv[3] ?? 16);
const faults = process.argv[4] !== 'nofault';
(async () => {
  const emu = await startEmulator();
  const ds = emu.createDataset('soak');
  let t = Date.now();
  const input = [];
  for (let i = 0; i < N; i++) input.push(await makeBinaryItem(Buffer.from(`\x89PNG\r\n\x1a\n-image-${i}-` + 'x'.repeat(200)), `img-${i}.png`, 'image/png', { ref: `loc-${i}` }));
  console.log('prep', Date.now() - t); t = Date.now();
  if (faults) emu.setFaults({ rate429: 0.2, retryAfterS: 0, rate5xx: 0.1, rateDrop: 0.05, rateSlow: 0.05, slowMs: 200, seed: 7 });
  const { output } = await runNode({ node: new ScaleNucleus(), parameters: { resource: 'datasetItem', operation: 'append', datasetId: { __rl: true, mode: 'id', value: ds }, mode: 'local', referenceId: '={{ $json.ref }}', options: { concurrency: conc } }, input, credentials: createTestCredentials(emu.baseUrl, emu.apiKey), continueOnFail: true });
  console.log('run', Date.now() - t, 'out', output[0].length, 'count', emu.itemCount(ds), JSON.stringify(emu.stats().faultsInjected), 'req', emu.stats().appendRequests, 'fails', output[0].filter(i => i.json.error).length, (output[0].find(i=>i.json.error)||{json:{}}).json.error);
  await emu.close();
})();
