-- One outcome per search, kept by the database: the service's check reads before it writes, so two reports for
-- the same search sent at once could both pass it. Should such a pair exist already, the first report stands.
DELETE FROM "Feedback" AS later
USING "Feedback" AS first
WHERE later."RetrievalId" = first."RetrievalId"
  AND (later."At", later."Id") > (first."At", first."Id");

DROP INDEX "IX_Feedback_RetrievalId";
CREATE UNIQUE INDEX "IX_Feedback_RetrievalId" ON "Feedback" ("RetrievalId");
