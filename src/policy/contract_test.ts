import { policyEntries } from "./registry.ts";
import { policyContract } from "./_contract_test_utils.ts";

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
