import { BivouacError } from '../util/errors.js';

/**
 * An HTTP API failure with Nomad's status code and plain-text body (`404 job not found`,
 * `400 must provide task name`, `403 Permission denied`). Handlers throw it; the server's
 * one reply function turns it into the response.
 */
export class ApiError extends BivouacError {
  constructor(
    readonly status: 400 | 403 | 404 | 405 | 413 | 500,
    message: string,
  ) {
    super('API_REQUEST', message);
  }
}

export const badRequest = (m: string): ApiError => new ApiError(400, m);
export const notFound = (m: string): ApiError => new ApiError(404, m);
export const PERMISSION_DENIED = 'Permission denied';
