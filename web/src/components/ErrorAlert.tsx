// The API's own message (it says what to do), plus field problems when there are some.
import { Alert, List } from '@mantine/core';
import { ApiError } from '../api/client.ts';

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return 'Something went wrong. Reload the page and try again.';
}

export function ErrorAlert({ error, title = 'That did not work' }: { error: unknown; title?: string }) {
  if (!error) return null;
  const problems = error instanceof ApiError ? error.problems : [];
  const message = errorMessage(error);
  return (
    <Alert color="red" title={title} role="alert" variant="light">
      {message}
      {problems.length > 1 && (
        <List size="sm" mt="xs">
          {problems.map((p, i) => (
            <List.Item key={i}>
              <code>{p.path}</code>: {p.message}
            </List.Item>
          ))}
        </List>
      )}
    </Alert>
  );
}

/** The message for one form field from a 400's details (nested problems keep their sub-path). */
export function fieldError(error: unknown, field: string): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const messages = error.problems
    .map((p) => ({ rest: p.path.replace(/^(body|querystring|params)\./, ''), message: p.message }))
    .filter((p) => p.rest === field || p.rest.startsWith(`${field}.`))
    .map((p) => (p.rest === field ? p.message : `${p.rest}: ${p.message}`));
  return messages.length ? messages.join('; ') : undefined;
}
