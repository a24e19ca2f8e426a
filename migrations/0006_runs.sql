-- 0006: the agent runner. Model connections (the key encrypted by Data Protection), runs with their frozen tasks
-- and pool, each task's plan, and attempts (recorded once: unique on run, task, condition, attempt number).
-- Hangfire keeps its queue in its own schema "hangfire", which it creates itself.

CREATE TABLE "ModelConnections" (
    "Id" uuid NOT NULL,
    "Name" character varying(100) NOT NULL,
    "Endpoint" character varying(500) NOT NULL,
    "Model" character varying(200) NOT NULL,
    "ProtectedApiKey" text,
    "InputPricePerMillion" numeric(18,6),
    "OutputPricePerMillion" numeric(18,6),
    "CreatedAt" timestamp with time zone NOT NULL,
    "UpdatedAt" timestamp with time zone NOT NULL,
    CONSTRAINT "PK_ModelConnections" PRIMARY KEY ("Id")
);

CREATE UNIQUE INDEX "IX_ModelConnections_Name" ON "ModelConnections" ("Name");

CREATE TABLE "Runs" (
    "Id" uuid NOT NULL,
    "BenchmarkId" uuid NOT NULL,
    "ModelConnectionId" uuid NOT NULL,
    "Status" character varying(20) NOT NULL,
    "StatusReason" text,
    "Conditions" text[] NOT NULL,
    "Attempts" integer NOT NULL,
    "Mode" character varying(20) NOT NULL,
    "Query" character varying(20) NOT NULL,
    "Temperature" real,
    "MaxOutputTokens" integer,
    "TopN" integer NOT NULL,
    "MaxSteps" integer NOT NULL,
    "Selection" character varying(200) NOT NULL,
    "TaskIds" uuid[] NOT NULL,
    "ExcludeDomains" text[] NOT NULL,
    "SourceModels" text[],
    "Teams" uuid[],
    "MinAbstraction" double precision,
    "PoolMemoryIds" uuid[] NOT NULL,
    "PoolRevisionIds" uuid[] NOT NULL,
    "MaxTokens" bigint,
    "MaxCost" numeric(18,6),
    "CreatedBy" character varying(450) NOT NULL,
    "CreatedAt" timestamp with time zone NOT NULL,
    "FinishedAt" timestamp with time zone,
    CONSTRAINT "PK_Runs" PRIMARY KEY ("Id"),
    CONSTRAINT "FK_Runs_Benchmarks_BenchmarkId" FOREIGN KEY ("BenchmarkId") REFERENCES "Benchmarks" ("Id") ON DELETE RESTRICT,
    CONSTRAINT "FK_Runs_ModelConnections_ModelConnectionId" FOREIGN KEY ("ModelConnectionId") REFERENCES "ModelConnections" ("Id") ON DELETE RESTRICT
);

CREATE INDEX "IX_Runs_BenchmarkId" ON "Runs" ("BenchmarkId");
CREATE INDEX "IX_Runs_ModelConnectionId" ON "Runs" ("ModelConnectionId");
CREATE INDEX "IX_Runs_CreatedAt" ON "Runs" ("CreatedAt");

CREATE TABLE "RunPlans" (
    "RunId" uuid NOT NULL,
    "TaskId" uuid NOT NULL,
    "Plan" text NOT NULL,
    "TokensIn" bigint NOT NULL,
    "TokensOut" bigint NOT NULL,
    "Cost" numeric(18,6),
    CONSTRAINT "PK_RunPlans" PRIMARY KEY ("RunId", "TaskId"),
    CONSTRAINT "FK_RunPlans_Runs_RunId" FOREIGN KEY ("RunId") REFERENCES "Runs" ("Id") ON DELETE CASCADE
);

CREATE TABLE "RunAttempts" (
    "Id" uuid NOT NULL,
    "RunId" uuid NOT NULL,
    "TaskId" uuid NOT NULL,
    "Condition" character varying(20) NOT NULL,
    "AttemptNumber" integer NOT NULL,
    "RetrievalId" uuid,
    "Memories" jsonb NOT NULL,
    "Messages" jsonb NOT NULL,
    "Answer" text,
    "Program" text,
    "Verdict" character varying(20),
    "Output" text,
    "Steps" jsonb NOT NULL,
    "MemoryUsedRank" integer,
    "MemoryUsedId" uuid,
    "TokensIn" bigint NOT NULL,
    "TokensOut" bigint NOT NULL,
    "LatencyMs" double precision NOT NULL,
    "Cost" numeric(18,6),
    "Error" text,
    "FinishedAt" timestamp with time zone NOT NULL,
    CONSTRAINT "PK_RunAttempts" PRIMARY KEY ("Id"),
    CONSTRAINT "FK_RunAttempts_Runs_RunId" FOREIGN KEY ("RunId") REFERENCES "Runs" ("Id") ON DELETE CASCADE
);

CREATE UNIQUE INDEX "IX_RunAttempts_RunId_TaskId_Condition_AttemptNumber" ON "RunAttempts" ("RunId", "TaskId", "Condition", "AttemptNumber");
