/**
 * Preloaded (`--require`) into a process profiled with --cpu-prof. Node writes the profile when the process
 * exits normally; Nest's shutdown hook ends by re-raising the signal, and a process killed by a signal writes
 * nothing. This listener runs before Nest's (it was registered first) and exits through process.exit.
 */
process.once('SIGTERM', () => process.exit(0));
