-- 0011: memories generated from agent trajectories. Trajectories in one normalised form (from files or from the
-- runner's own attempts, at most one per attempt), generation jobs (worked on by the runner's job engine), and the
-- link from each generated memory to the trajectory and job it came from.

CREATE TABLE "Trajectories" (
    "Id" uuid NOT NULL,
    "Format" character varying(40) NOT NULL,
    "SourceDomain" character varying(100) NOT NULL,
    "SourceTaskRef" character varying(300),
    "SourceModel" character varying(100) NOT NULL,
    "TaskText" text NOT NULL,
    "StepsJson" jsonb NOT NULL,
    "StepCount" integer NOT NULL,
    "FinalAnswer" text,
    "Verdict" character varying(20) NOT NULL,
    "VerdictOrigin" character varying(20) NOT NULL,
    "VerdictNote" text,
    "Origin" character varying(300) NOT NULL,
    "BatchId" uuid NOT NULL,
    "RunId" uuid,
    "RunAttemptId" uuid,
    "ImportedBy" character varying(450) NOT NULL,
    "ImportedAt" timestamp with time zone NOT NULL,
    CONSTRAINT "PK_Trajectories" PRIMARY KEY ("Id"),
    CONSTRAINT "FK_Trajectories_Runs_RunId" FOREIGN KEY ("RunId") REFERENCES "Runs" ("Id") ON DELETE SET NULL
);

CREATE INDEX "IX_Trajectories_BatchId" ON "Trajectories" ("BatchId");
CREATE INDEX "IX_Trajectories_ImportedAt" ON "Trajectories" ("ImportedAt");
CREATE INDEX "IX_Trajectories_RunId" ON "Trajectories" ("RunId");
CREATE UNIQUE INDEX "IX_Trajectories_RunAttemptId" ON "Trajectories" ("RunAttemptId");

CREATE TABLE "GenerationJobs" (
    "Id" uuid NOT NULL,
    "Status" character varying(20) NOT NULL,
    "StatusReason" text,
    "Kinds" text[] NOT NULL,
    "Outcomes" character varying(20) NOT NULL,
    "TeamId" uuid NOT NULL,
    "ModelConnectionId" uuid NOT NULL,
    "RunId" uuid,
    "TrajectoryIds" uuid[] NOT NULL,
    "TrajectoriesDone" integer NOT NULL,
    "PlannedCalls" integer NOT NULL,
    "CallsDone" integer NOT NULL,
    "MemoriesCreated" integer NOT NULL,
    "TrajectoriesSkipped" integer NOT NULL,
    "Problems" jsonb NOT NULL,
    "TokensIn" bigint NOT NULL,
    "TokensOut" bigint NOT NULL,
    "Cost" numeric(18,6),
    "CreatedBy" character varying(450) NOT NULL,
    "CreatedAt" timestamp with time zone NOT NULL,
    "FinishedAt" timestamp with time zone,
    CONSTRAINT "PK_GenerationJobs" PRIMARY KEY ("Id"),
    CONSTRAINT "FK_GenerationJobs_ModelConnections_ModelConnectionId" FOREIGN KEY ("ModelConnectionId") REFERENCES "ModelConnections" ("Id") ON DELETE RESTRICT,
    CONSTRAINT "FK_GenerationJobs_Runs_RunId" FOREIGN KEY ("RunId") REFERENCES "Runs" ("Id") ON DELETE SET NULL,
    CONSTRAINT "FK_GenerationJobs_Teams_TeamId" FOREIGN KEY ("TeamId") REFERENCES "Teams" ("Id") ON DELETE RESTRICT
);

CREATE INDEX "IX_GenerationJobs_CreatedAt" ON "GenerationJobs" ("CreatedAt");
CREATE INDEX "IX_GenerationJobs_ModelConnectionId" ON "GenerationJobs" ("ModelConnectionId");
CREATE INDEX "IX_GenerationJobs_RunId" ON "GenerationJobs" ("RunId");
CREATE INDEX "IX_GenerationJobs_TeamId" ON "GenerationJobs" ("TeamId");

CREATE TABLE "GeneratedMemories" (
    "MemoryId" uuid NOT NULL,
    "TrajectoryId" uuid NOT NULL,
    "JobId" uuid NOT NULL,
    "GeneratorModel" character varying(200) NOT NULL,
    CONSTRAINT "PK_GeneratedMemories" PRIMARY KEY ("MemoryId"),
    CONSTRAINT "FK_GeneratedMemories_GenerationJobs_JobId" FOREIGN KEY ("JobId") REFERENCES "GenerationJobs" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_GeneratedMemories_Memories_MemoryId" FOREIGN KEY ("MemoryId") REFERENCES "Memories" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_GeneratedMemories_Trajectories_TrajectoryId" FOREIGN KEY ("TrajectoryId") REFERENCES "Trajectories" ("Id") ON DELETE RESTRICT
);

CREATE INDEX "IX_GeneratedMemories_JobId" ON "GeneratedMemories" ("JobId");
CREATE INDEX "IX_GeneratedMemories_TrajectoryId" ON "GeneratedMemories" ("TrajectoryId");
