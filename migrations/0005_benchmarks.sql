-- 0005: benchmarks (a named suite of coding tasks; the name is the domain leave-one-domain-out compares) and
-- their tasks, with whether each reference solution passed in the sandbox.

CREATE TABLE "Benchmarks" (
    "Id" uuid NOT NULL,
    "Name" character varying(100) NOT NULL,
    "Format" character varying(20) NOT NULL,
    "SourceName" character varying(260) NOT NULL,
    "ImportedAt" timestamp with time zone NOT NULL,
    "ImportedBy" character varying(450) NOT NULL,
    "VerifiedAt" timestamp with time zone,
    CONSTRAINT "PK_Benchmarks" PRIMARY KEY ("Id")
);

CREATE TABLE "BenchmarkTasks" (
    "Id" uuid NOT NULL,
    "BenchmarkId" uuid NOT NULL,
    "Ordinal" integer NOT NULL,
    "TaskId" character varying(200) NOT NULL,
    "Language" character varying(20) NOT NULL,
    "Style" character varying(20) NOT NULL,
    "Prompt" text NOT NULL,
    "EntryPoint" character varying(200) NOT NULL,
    "Header" text NOT NULL,
    "Preamble" text NOT NULL,
    "Tests" text NOT NULL,
    "ExampleTests" text,
    "ReferenceSolution" text,
    "ReferencePassed" boolean,
    "ReferenceVerdict" character varying(20),
    "ReferenceOutput" text,
    "ReferenceCheckedAt" timestamp with time zone,
    CONSTRAINT "PK_BenchmarkTasks" PRIMARY KEY ("Id"),
    CONSTRAINT "FK_BenchmarkTasks_Benchmarks_BenchmarkId" FOREIGN KEY ("BenchmarkId") REFERENCES "Benchmarks" ("Id") ON DELETE CASCADE
);

CREATE UNIQUE INDEX "IX_Benchmarks_Name" ON "Benchmarks" ("Name");

CREATE UNIQUE INDEX "IX_BenchmarkTasks_BenchmarkId_Ordinal" ON "BenchmarkTasks" ("BenchmarkId", "Ordinal");

CREATE UNIQUE INDEX "IX_BenchmarkTasks_BenchmarkId_TaskId" ON "BenchmarkTasks" ("BenchmarkId", "TaskId");
