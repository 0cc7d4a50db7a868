// Learning-rate schedule: linear warm-up, then cosine decay to minLrRatio * lr over the remaining steps
// ([MA]: CosineAnnealingLR shifted by the warm-up; no warm-up in the 47M runs).
export interface ScheduleConfig {
  lr: number;
  warmupSteps: number;
  steps: number;
  cosine: boolean;
  minLrRatio: number;
}

/** Learning rate for the update with 0-based index `step`. */
export function learningRate(cfg: ScheduleConfig, step: number): number {
  if (cfg.warmupSteps > 0 && step < cfg.warmupSteps) return (cfg.lr * (step + 1)) / cfg.warmupSteps;
  if (!cfg.cosine) return cfg.lr;
  const span = Math.max(1, cfg.steps - cfg.warmupSteps);
  const progress = Math.min(1, (step - cfg.warmupSteps) / span);
  const min = cfg.lr * cfg.minLrRatio;
  return min + 0.5 * (cfg.lr - min) * (1 + Math.cos(Math.PI * progress));
}
