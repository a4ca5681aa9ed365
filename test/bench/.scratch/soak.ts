import { startEmulator } from '../../emulator';
import { makeBinaryItem } from '../../harness';
import { AdaptiveConcurrency } from '../../../nodes/shared/pool';
import { SOAK_FAULTS, appendParams, runScale, tinyPng } from '../../integration/reliability-common';

const mode = process.argv[2] ?? 'adaptive';
if (mode === 'fixed') {
	AdaptiveConcurrency.prototype.throttled = function () {};
}
const proto = AdaptiveConcurrency.prototype as unknown as { throttled: (e: number) => void };
const orig = proto.throttled;
let decs = 0;
let inst: AdaptiveConcurrency | undefined;
const os = (AdaptiveConcurrency.prototype as any).succeeded; (AdaptiveConcurrency.prototype as any).succeeded = function (this: any) { inst = this; os.call(this); };
let succ = 0; const os2 = (AdaptiveConcurrency.prototype as any).succeeded; (AdaptiveConcurrency.prototype as any).succeeded = function (this: any) { succ++; os2.call(this); };
proto.throttled = function (this: AdaptiveConcurrency, e: number) { inst = this; const before = this.limit; orig.call(this, e); if (this.limit !== before) { decs++; } };
const N = Number(process.argv[3] ?? 1000);
(async () => {
	const emu = await startEmulator();
	const ds = emu.createDataset('s');
	const input = [];
	for (let i = 0; i < N; i++) input.push(await makeBinaryItem(tinyPng(i), `img-${i}.png`, 'image/png', { ref: `r-${i}` }));
	emu.setFaults(SOAK_FAULTS);
	const t = Date.now();
	const timer = setInterval(() => process.stderr.write(`${((Date.now() - t) / 1000).toFixed(1)}s stored=${emu.itemCount(ds)} inflight=${emu.stats().inFlight} limit=${inst?.limit} succ=${succ} reqs=${emu.stats().appendRequests}\n`), 2000);
	await runScale(emu, appendParams(ds, { mode: 'local', imageSource: 'binary', binaryPropertyName: 'data', metadataMode: 'none', referenceId: '={{ $json.ref }}', options: { concurrency: 64 } }), input, { continueOnFail: true });
	clearInterval(timer);
	console.log(mode, N, ((Date.now() - t) / 1000).toFixed(1), 's', 'stored', emu.itemCount(ds), 'decreases', decs);
	await emu.close();
})();
