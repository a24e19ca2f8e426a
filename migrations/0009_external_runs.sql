-- 0009: external runs. Per-attempt outcomes imported from harnesses elsewhere live in the same Runs and RunAttempts
-- tables as the portal's own runs (Kind = 'External'), so every dashboard reads both alike. Their tasks may come from
-- benchmarks the portal does not hold: RunExternalTasks names them, and their attempts' TaskId points there.

ALTER TABLE "Runs" ADD "Kind" character varying(20) NOT NULL DEFAULT 'Agent';
ALTER TABLE "Runs" ALTER COLUMN "Kind" DROP DEFAULT;
ALTER TABLE "Runs" ADD "ExternalModel" character varying(200);
ALTER TABLE "Runs" ADD "ExternalSource" character varying(200);
ALTER TABLE "Runs" ALTER COLUMN "BenchmarkId" DROP NOT NULL;
ALTER TABLE "Runs" ALTER COLUMN "ModelConnectionId" DROP NOT NULL;

CREATE TABLE "RunExternalTasks" (
    "Id" uuid NOT NULL,
    "RunId" uuid NOT NULL,
    "Benchmark" character varying(200) NOT NULL,
    "Name" character varying(500) NOT NULL,
    "Ordinal" integer NOT NULL,
    CONSTRAINT "PK_RunExternalTasks" PRIMARY KEY ("Id"),
    CONSTRAINT "FK_RunExternalTasks_Runs_RunId" FOREIGN KEY ("RunId") REFERENCES "Runs" ("Id") ON DELETE CASCADE
);

CREATE UNIQUE INDEX "IX_RunExternalTasks_RunId_Benchmark_Name" ON "RunExternalTasks" ("RunId", "Benchmark", "Name");
