/**
 * Request sources: seeded synthetic workloads and streamed trace replay (Mooncake, Azure 2023,
 * Vidur, length-only, BurstGPT), trace writers and generators, and the live path's tokenizer
 * (chat templates, prompt block hashes).
 *
 * @module
 */

export * from "./azure.ts";
export * from "./burstgpt.ts";
export * from "./catalog.ts";
export * from "./lengths.ts";
export * from "./line_reader.ts";
export * from "./mooncake.ts";
export * from "./synthetic.ts";
export * from "./tokenizer.ts";
export * from "./trace_format.ts";
export * from "./trace_gen.ts";
export * from "./trace_rate.ts";
export * from "./trace_reader.ts";
export * from "./trace_row.ts";
export * from "./trace_writer.ts";
export * from "./vidur.ts";
