// Where the admin token comes from: PID_MOCK_ADMIN_TOKEN when set (a Kubernetes Secret, a JupyterHub
// service token), otherwise the data folder's own token written at first start.
export const MIN_ADMIN_TOKEN_LENGTH = 16;

export class AdminTokenError extends Error {}

/** The token from the environment, checked; undefined when the variable is unset or empty. */
export function adminTokenFromEnvironment(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env.PID_MOCK_ADMIN_TOKEN;
  if (value === undefined || value === '') return undefined;
  if (value.trim() !== value || /\s/.test(value)) throw new AdminTokenError('PID_MOCK_ADMIN_TOKEN must not contain spaces or line breaks');
  if (value.length < MIN_ADMIN_TOKEN_LENGTH) {
    throw new AdminTokenError(`PID_MOCK_ADMIN_TOKEN must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters long (it is ${value.length})`);
  }
  return value;
}
