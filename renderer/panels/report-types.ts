// The engine's report types the panels read, imported in one place: they move to engine/contracts/reports.ts
// (issue 7); switch this file's imports then and nothing else changes.
export type { HeadStats, RoutingReport, SideStats } from '../../engine/train/routing';
export type { EvalReport, StepReport } from '../../engine/train/trainer';
