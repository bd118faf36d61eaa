/**
 * Running a bench grid on a Slurm cluster: `--executor slurm` submits the unfinished cells as job arrays
 * (`submitGrid`), each array task runs one cell (`runCellEntry`), and `--status` / `--report` read the grid
 * folder together with the queue (`gridStatus`, `statusText`, `withSlurmStates`). See README.md here for the
 * single-node cluster (`local_cluster.sh`) and bench/README.md for a real cluster.
 * @module
 */
export { runCellEntry } from "./cell_entry.ts";
export { splitExtra } from "./script.ts";
export { Slurm } from "./slurm_cli.ts";
export { gridStatus, withSlurmStates } from "./status.ts";
export { submitGrid, type SubmitOptions } from "./submit.ts";
export { statusText } from "./view.ts";
