import { ScaleNucleus } from '../../nodes/ScaleNucleus/ScaleNucleus.node.ts';
import { startEmulator } from '../emulator';
import { createTestCredentials, makeBinaryItem, runNode } from '../harness';
(async () => {
  const emu = await startEmulator();
  const ds = emu.createDataset('p');
  for (const params of [{ mode: 'local', options: { concurrency: 64 } }, { mode: 'remote', processing: 'sync', imageUrl: 's3://b/k', options: { concurrency: 64 } }]) {
  const r = await runNode({ node: new ScaleNucleus(), parameters: { resource: 'datasetItem', operation: 'append', datasetId: { __rl: true, mode: 'id', value: ds }, referenceId: '={{ $json.ref }}', ...params }, input: [await makeBinaryItem(Buffer.from('abc'), 'a.png', 'image/png', { ref: 'x'+params.mode })], credentials: createTestCredentials(emu.baseUrl, emu.apiKey), continueOnFail: true });
  console.log(JSON.stringify(r.nodeData.parameters));
  }
  await emu.close();
})();
