-- 0002: the memory pool: memories, their immutable revisions, review decisions and comments; and the
-- settings admins change in the portal.

CREATE TABLE "Settings" (
    "Key" character varying(100) NOT NULL,
    "Value" text NOT NULL,
    "UpdatedAt" timestamp with time zone NOT NULL,
    "UpdatedBy" character varying(450) NOT NULL,
    CONSTRAINT "PK_Settings" PRIMARY KEY ("Key")
);

CREATE TABLE "Memories" (
    "Id" uuid NOT NULL,
    "Kind" character varying(20) NOT NULL,
    "TeamId" uuid NOT NULL,
    "AuthorId" text NOT NULL,
    "Status" character varying(20) NOT NULL,
    "ApprovedRevisionId" uuid,
    "LatestRevisionId" uuid NOT NULL,
    "CreatedAt" timestamp with time zone NOT NULL,
    "UpdatedAt" timestamp with time zone NOT NULL,
    "ArchivedAt" timestamp with time zone,
    "DuplicateOfId" uuid,
    "SupersedesId" uuid,
    "SupersededById" uuid,
    "Version" integer NOT NULL,
    CONSTRAINT "PK_Memories" PRIMARY KEY ("Id"),
    CONSTRAINT "FK_Memories_AspNetUsers_AuthorId" FOREIGN KEY ("AuthorId") REFERENCES "AspNetUsers" ("Id") ON DELETE RESTRICT,
    CONSTRAINT "FK_Memories_Teams_TeamId" FOREIGN KEY ("TeamId") REFERENCES "Teams" ("Id") ON DELETE RESTRICT
);

CREATE TABLE "MemoryRevisions" (
    "Id" uuid NOT NULL,
    "MemoryId" uuid NOT NULL,
    "Number" integer NOT NULL,
    "State" character varying(20) NOT NULL,
    "AuthorId" text NOT NULL,
    "CreatedAt" timestamp with time zone NOT NULL,
    "SubmittedAt" timestamp with time zone,
    "DecidedAt" timestamp with time zone,
    "Title" character varying(200) NOT NULL,
    "ContentJson" jsonb NOT NULL,
    "SourceDomain" character varying(100) NOT NULL,
    "SourceTaskRef" character varying(300),
    "SourceModel" character varying(100) NOT NULL,
    "Outcome" character varying(20) NOT NULL,
    "Tags" text[] NOT NULL,
    "AbstractionScore" double precision NOT NULL,
    "AbstractionFindings" integer NOT NULL,
    "Embedding" real[],
    "EmbeddingModel" character varying(200),
    CONSTRAINT "PK_MemoryRevisions" PRIMARY KEY ("Id"),
    CONSTRAINT "FK_MemoryRevisions_AspNetUsers_AuthorId" FOREIGN KEY ("AuthorId") REFERENCES "AspNetUsers" ("Id") ON DELETE RESTRICT,
    CONSTRAINT "FK_MemoryRevisions_Memories_MemoryId" FOREIGN KEY ("MemoryId") REFERENCES "Memories" ("Id") ON DELETE CASCADE
);

CREATE TABLE "MemoryReviews" (
    "Id" uuid NOT NULL,
    "MemoryId" uuid NOT NULL,
    "RevisionId" uuid NOT NULL,
    "ReviewerId" text NOT NULL,
    "Decision" character varying(20) NOT NULL,
    "Comment" character varying(4000),
    "At" timestamp with time zone NOT NULL,
    CONSTRAINT "PK_MemoryReviews" PRIMARY KEY ("Id"),
    CONSTRAINT "FK_MemoryReviews_AspNetUsers_ReviewerId" FOREIGN KEY ("ReviewerId") REFERENCES "AspNetUsers" ("Id") ON DELETE RESTRICT,
    CONSTRAINT "FK_MemoryReviews_MemoryRevisions_RevisionId" FOREIGN KEY ("RevisionId") REFERENCES "MemoryRevisions" ("Id") ON DELETE CASCADE
);

CREATE INDEX "IX_Memories_ApprovedRevisionId" ON "Memories" ("ApprovedRevisionId");

CREATE INDEX "IX_Memories_AuthorId" ON "Memories" ("AuthorId");

CREATE INDEX "IX_Memories_Status" ON "Memories" ("Status");

CREATE INDEX "IX_Memories_TeamId" ON "Memories" ("TeamId");

CREATE INDEX "IX_Memories_UpdatedAt" ON "Memories" ("UpdatedAt");

CREATE INDEX "IX_MemoryReviews_MemoryId" ON "MemoryReviews" ("MemoryId");

CREATE INDEX "IX_MemoryReviews_ReviewerId" ON "MemoryReviews" ("ReviewerId");

CREATE INDEX "IX_MemoryReviews_RevisionId" ON "MemoryReviews" ("RevisionId");

CREATE INDEX "IX_MemoryRevisions_AuthorId" ON "MemoryRevisions" ("AuthorId");

CREATE UNIQUE INDEX "IX_MemoryRevisions_MemoryId_Number" ON "MemoryRevisions" ("MemoryId", "Number");

CREATE INDEX "IX_MemoryRevisions_State_SubmittedAt" ON "MemoryRevisions" ("State", "SubmittedAt");

ALTER TABLE "Memories" ADD CONSTRAINT "FK_Memories_MemoryRevisions_ApprovedRevisionId" FOREIGN KEY ("ApprovedRevisionId") REFERENCES "MemoryRevisions" ("Id") ON DELETE RESTRICT;
