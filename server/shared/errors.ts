/** The one application error: a stable SCREAMING_SNAKE code, an HTTP status and a message safe to show. */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details?: unknown;
  constructor(code: string, status: number, message: string, details?: unknown) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

export const notFound = (what: string, id?: string) =>
  new AppError('NOT_FOUND', 404, id ? `${what} ${id} was not found` : `${what} was not found`);

export const conflict = (code: string, message: string, details?: unknown) => new AppError(code, 409, message, details);

export const badRequest = (code: string, message: string, details?: unknown) => new AppError(code, 400, message, details);

/** Details entry naming a field, as zod failures produce. */
export interface FieldProblem {
  path: string;
  message: string;
}

export const validationError = (problems: FieldProblem[]) =>
  new AppError(
    'VALIDATION_FAILED',
    400,
    `Invalid input: ${problems.map((p) => `${p.path || '(body)'}: ${p.message}`).join('; ')}`,
    problems,
  );
