export { startB1Simulator, type B1Simulator, type B1SimulatorOptions } from './server';
export { B1SimState, type StockLevels, type Session } from './state';
export { FaultController, type FaultOptions, type FaultKind, type ScheduledFault } from './faults';
export {
  generateB1Seed,
  loadSeed,
  demoItemCodes,
  itemCode,
  customerCode,
  DEMO_ITEM_CODES,
  DEMO_SYNC_ITEM_COUNT,
  type B1Seed,
  type B1SeedOptions,
} from './seed';
export { runB1Simulator, runB1SimulatorCli, parseB1SimulatorArgs, type B1SimulatorCliOptions } from './cli';
export { SimClock } from './clock';
