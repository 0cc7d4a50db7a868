// BACKEND BADGE SLOT of the top bar: the run controller (renderer/runs/) shows the training backend here (webgpu /
// wasm / cpu, the adapter, why each faster backend was skipped) and live tensor memory. Empty until it does.
export function BackendBadge() {
  return null;
}
