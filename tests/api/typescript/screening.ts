// A whole screening through `openapi-fetch`, typed by the paths `openapi-typescript` generates
// from /openapi.json (./api.d.ts). `tsc --strict` checks it, then node runs it against a live
// server: TAMIS_URL and TAMIS_KEY name the server and an admin key; it prints one JSON line.
import createClient from "openapi-fetch";
import type { components, paths } from "./api.js";

declare const process: { env: Record<string, string | undefined> };

type Problem = components["schemas"]["ProblemDetails"];
type AssessmentCreate = components["schemas"]["AssessmentCreate"];

// Type-level checks: they fail the compilation, not the run.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;
type ErrorOf<R> = R extends { error?: infer E } ? Exclude<E, undefined> : never;
type IsOptional<T, K extends keyof T> = {} extends Pick<T, K> ? true : false;
// A defaulted field is optional in a request body: a scorecard needs only its interviewer...
const minimal: AssessmentCreate = { interviewer: { name: "Alex Morel", email: "alex@example.org" } };
// @ts-expect-error: the interviewer has no default, it stays required.
export const incomplete: AssessmentCreate = { status: "draft" };
export type DefaultsAreOptional = Expect<Equal<IsOptional<AssessmentCreate, "status" | "ratings">, true>>;
// ...and present in answers: the server always sends them.
export type AnswersAreComplete = Expect<
  Equal<IsOptional<components["schemas"]["AssessmentPublic"], "status">, false>
>;

const baseUrl = process.env.TAMIS_URL ?? "http://127.0.0.1:8000";
const client = createClient<paths>({
  baseUrl,
  headers: { Authorization: `Bearer ${process.env.TAMIS_KEY ?? ""}` },
});

function fail(step: string, problem: Problem): never {
  throw new Error(`${step}: ${problem.status} ${problem.title}: ${problem.detail}`);
}

function getCandidate(candidate_id: string) {
  return client.GET("/api/v1/candidates/{candidate_id}", { params: { path: { candidate_id } } });
}
// Every error answer is a problem document (not `{}`, not `unknown`, not `any`).
export type ErrorsAreProblems = Expect<Equal<ErrorOf<Awaited<ReturnType<typeof getCandidate>>>, Problem>>;

async function main(): Promise<void> {
  const idempotencyKey = `ts-position-${Date.now()}`;
  const opened = await client.POST("/api/v1/positions", {
    params: { header: { "Idempotency-Key": idempotencyKey } },
    body: { title: "Community manager" },
  });
  if (opened.error) fail("createPosition", opened.error);
  const position = opened.data;
  // The same key and body again: the stored answer, nothing done twice.
  const replayed = await client.POST("/api/v1/positions", {
    params: { header: { "Idempotency-Key": idempotencyKey } },
    body: { title: "Community manager" },
  });
  if (replayed.error) fail("createPosition (replay)", replayed.error);

  const added = await client.POST("/api/v1/candidates", {
    body: { full_name: "Camille Martin", position_id: position.id },
  });
  if (added.error) fail("createCandidate", added.error);
  const candidate = added.data;

  const rubric = await client.GET("/api/v1/rubrics/{rubric_id}", {
    params: { path: { rubric_id: position.rubric_id } },
  });
  if (rubric.error) fail("getRubric", rubric.error);
  const ratings = Object.fromEntries(rubric.data.criteria.map((criterion) => [criterion.id, 3]));

  const started = await client.POST("/api/v1/candidates/{candidate_id}/assessments", {
    params: { path: { candidate_id: candidate.id } },
    body: minimal,
  });
  if (started.error) fail("createAssessment", started.error);
  const etag = started.response.headers.get("ETag") ?? "";

  const saved = await client.PATCH("/api/v1/assessments/{assessment_id}", {
    params: { path: { assessment_id: started.data.id }, header: { "If-Match": etag } },
    body: { ratings },
  });
  if (saved.error) fail("updateAssessment", saved.error);

  // An If-Match naming the old version: 412, typed as a problem document.
  const stale = await client.POST("/api/v1/assessments/{assessment_id}/submit", {
    params: { path: { assessment_id: started.data.id }, header: { "If-Match": etag } },
  });
  const staleStatus: number | undefined = stale.error?.status;

  const submitted = await client.POST("/api/v1/assessments/{assessment_id}/submit", {
    params: {
      path: { assessment_id: started.data.id },
      header: { "If-Match": saved.response.headers.get("ETag") ?? "" },
    },
  });
  if (submitted.error) fail("submitAssessment", submitted.error);

  const verdict = await client.GET("/api/v1/candidates/{candidate_id}/verdict", {
    params: { path: { candidate_id: candidate.id } },
  });
  if (verdict.error) fail("getPanelVerdict", verdict.error);

  const decided = await client.POST("/api/v1/candidates/{candidate_id}/decisions", {
    params: { path: { candidate_id: candidate.id } },
    body: { decision: "advance", decided_by: "Dominique Roy", rationale: "Read line by line." },
  });
  if (decided.error) fail("recordDecision", decided.error);

  const missing = await getCandidate("3fa85f64-5717-4562-b3fc-2c963f66afa6");
  const problem: Problem | undefined = missing.error;

  console.log(
    JSON.stringify({
      position: position.id,
      replayed: replayed.response.headers.get("Idempotent-Replayed") === "true" && replayed.data.id === position.id,
      draft: started.data.status,
      stale: staleStatus,
      submitted: submitted.data.status,
      verdict: verdict.data.candidate_id === candidate.id,
      decision: decided.data.decision,
      missing: problem?.status,
      missingType: problem?.type,
    }),
  );
}

await main();
