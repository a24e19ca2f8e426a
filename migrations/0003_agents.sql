-- 0003: agents' access: API keys (secrets stored hashed), the log of every search (query hashed, results kept
-- row by row so outcomes can be attributed to memories), and the outcomes agents report.

CREATE TABLE "Retrievals" (
    "Id" uuid NOT NULL,
    "ApiKeyId" uuid,
    "UserId" character varying(450) NOT NULL,
    "At" timestamp with time zone NOT NULL,
    "QueryHash" character varying(64) NOT NULL,
    "K" integer NOT NULL,
    "Filters" jsonb NOT NULL,
    "EmbeddingModel" character varying(200) NOT NULL,
    CONSTRAINT "PK_Retrievals" PRIMARY KEY ("Id")
);

CREATE TABLE "ApiKeys" (
    "Id" uuid NOT NULL,
    "UserId" text NOT NULL,
    "Name" character varying(100) NOT NULL,
    "Prefix" character varying(20) NOT NULL,
    "SecretHash" character varying(64) NOT NULL,
    "Scopes" text[] NOT NULL,
    "CreatedAt" timestamp with time zone NOT NULL,
    "ExpiresAt" timestamp with time zone,
    "LastUsedAt" timestamp with time zone,
    "RevokedAt" timestamp with time zone,
    CONSTRAINT "PK_ApiKeys" PRIMARY KEY ("Id"),
    CONSTRAINT "FK_ApiKeys_AspNetUsers_UserId" FOREIGN KEY ("UserId") REFERENCES "AspNetUsers" ("Id") ON DELETE CASCADE
);

CREATE TABLE "Feedback" (
    "Id" uuid NOT NULL,
    "RetrievalId" uuid NOT NULL,
    "ApiKeyId" uuid,
    "UserId" character varying(450) NOT NULL,
    "Outcome" character varying(20) NOT NULL,
    "MemoryIds" uuid[] NOT NULL,
    "Note" character varying(2000),
    "At" timestamp with time zone NOT NULL,
    CONSTRAINT "PK_Feedback" PRIMARY KEY ("Id"),
    CONSTRAINT "FK_Feedback_Retrievals_RetrievalId" FOREIGN KEY ("RetrievalId") REFERENCES "Retrievals" ("Id") ON DELETE CASCADE
);

CREATE TABLE "RetrievalHits" (
    "RetrievalId" uuid NOT NULL,
    "Rank" integer NOT NULL,
    "MemoryId" uuid NOT NULL,
    "RevisionId" uuid NOT NULL,
    "Score" real NOT NULL,
    CONSTRAINT "PK_RetrievalHits" PRIMARY KEY ("RetrievalId", "Rank"),
    CONSTRAINT "FK_RetrievalHits_Retrievals_RetrievalId" FOREIGN KEY ("RetrievalId") REFERENCES "Retrievals" ("Id") ON DELETE CASCADE
);

CREATE UNIQUE INDEX "IX_ApiKeys_SecretHash" ON "ApiKeys" ("SecretHash");

CREATE INDEX "IX_ApiKeys_UserId" ON "ApiKeys" ("UserId");

CREATE INDEX "IX_Feedback_RetrievalId" ON "Feedback" ("RetrievalId");

CREATE INDEX "IX_RetrievalHits_MemoryId" ON "RetrievalHits" ("MemoryId");

CREATE INDEX "IX_Retrievals_ApiKeyId" ON "Retrievals" ("ApiKeyId");

CREATE INDEX "IX_Retrievals_At" ON "Retrievals" ("At");
