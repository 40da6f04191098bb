// wasm-opt -Oz on many modules in a few processes: what
//   wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int FILE -o FILE
// does for each FILE, through the JS API of the same npm binaryen package.
//
// Why not the CLI: npm's wasm-opt is binaryen compiled to wasm; each run spends ~0.9 s of a
// core compiling that before it reads a byte, and the site has ~530 modules (one per lazy
// route's chunk): ~8 minutes of CPU for start-ups alone. Here each worker compiles binaryen
// once. (Never Debian's binaryen 108: it silently breaks hydration, see SETUP notes.)
//
//   node scripts/wasm-opt-all.mjs JOBS FILE...    optimises every FILE in place
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { readFileSync, statSync, writeFileSync } from "node:fs";

const BINARYEN = new URL("../end2end/node_modules/binaryen/index.js", import.meta.url);

if (isMainThread) {
  const [jobsArg, ...files] = process.argv.slice(2);
  const jobs = Math.max(1, Math.min(Number(jobsArg) || 1, files.length));
  // Largest first, so that the main module does not start last and leave a core idle.
  const queue = files
    .map((file) => ({ file, size: statSync(file).size }))
    .sort((a, b) => b.size - a.size)
    .map(({ file }) => file);
  let failed = false;
  const workers = Array.from({ length: jobs }, () => {
    const worker = new Worker(new URL(import.meta.url), { workerData: BINARYEN.href });
    const next = () => {
      const file = queue.shift();
      if (file === undefined || failed) worker.postMessage(null);
      else worker.postMessage(file);
    };
    worker.on("message", (message) => {
      if (message.error) {
        failed = true;
        console.error(`wasm-opt failed on ${message.file}: ${message.error}`);
      }
      next();
    });
    worker.on("error", (error) => {
      failed = true;
      console.error(error);
    });
    worker.on("online", next);
    return new Promise((resolve) => worker.on("exit", resolve));
  });
  await Promise.all(workers);
  if (failed || queue.length > 0) process.exit(1);
} else {
  const { default: binaryen } = await import(workerData);
  // -Oz: optimise level 2, shrink level 2; no names section, as the CLI without -g.
  binaryen.setOptimizeLevel(2);
  binaryen.setShrinkLevel(2);
  binaryen.setDebugInfo(false);
  const extraFeatures = binaryen.Features.BulkMemory | binaryen.Features.NontrappingFPToInt;
  parentPort.on("message", (file) => {
    if (file === null) return parentPort.close();
    try {
      const module = binaryen.readBinary(readFileSync(file));
      module.setFeatures(module.getFeatures() | extraFeatures);
      if (!module.validate()) throw new Error("the module does not validate");
      module.optimize();
      writeFileSync(file, module.emitBinary());
      module.dispose();
      parentPort.postMessage({ file });
    } catch (error) {
      parentPort.postMessage({ file, error: String(error) });
    }
  });
}
