/**
 * Engines on the live path: vLLM's protocol (`vllm/`), the engine emulator (`emulator/`)
 * and the scaled real clock they run on.
 *
 * @module
 */

export * from "./clock.ts";
export * from "./emulator/mod.ts";
export * from "./vllm/mod.ts";
