import { policyEntries } from "./registry.ts";
import { policyContract } from "../testing/contract.ts";

// Every registered policy, with its default configuration, must pass the contract.
for (const entry of policyEntries()) {
  policyContract(entry.name, (ctx) => entry.create({}, ctx));
}

// Telemetry with migration on must pass it too.
const telemetry = policyEntries().find((e) => e.name === "telemetry")!;
policyContract(
  "telemetry (migration on)",
  (ctx) => telemetry.create({ migrationBudget: 4, migrationMargin: 0 }, ctx),
);

// Dynamo with softmax sampling draws from the context's random source: still deterministic.
const dynamo = policyEntries().find((e) => e.name === "dynamo")!;
policyContract("dynamo (temperature 0.5)", (ctx) => dynamo.create({ temperature: 0.5 }, ctx));
