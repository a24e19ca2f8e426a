-- 0007: where an attempt's time goes, beside its whole latency: the model call (with its tool steps in agent mode)
-- and the sandbox run of the answer. Null for attempts recorded before, and for a part that did not happen.

ALTER TABLE "RunAttempts" ADD COLUMN "ModelMs" double precision;
ALTER TABLE "RunAttempts" ADD COLUMN "SandboxMs" double precision;
