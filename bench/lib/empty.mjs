// The cold-start control (bench/run.mjs): an ES module file with nothing in it, whose import()
// costs what any ES module file costs from `node -e` (the ESM loader's start-up).
export default 0;
