import { ApiError } from './api';

/** The API's own message, with the request id so a learner can find the request in the logs. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    return error.requestId ? `${error.message} (request ${error.requestId})` : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/** 409 at checkout: say "Out of stock" plainly, once, whatever the API's wording. */
export function outOfStockMessage(error: ApiError): string {
  const detail = describeError(error);
  const text = /^out of stock/i.test(detail)
    ? `Out of stock${detail.slice('out of stock'.length)}`
    : `Out of stock: ${detail}`;
  return `${text}. Lower the quantity or remove the item, then check out again.`;
}
