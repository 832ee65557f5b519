import type { OutOfStockBody, ReservationRequest, ReservationResponse } from '@sdp/contracts';
import { signIdentity } from '@sdp/identity';
import { ServiceClient, UpstreamRejectedError, UpstreamUnavailableError } from './service-client';

export type ReserveResult =
  | { kind: 'held'; reservation: ReservationResponse }
  | { kind: 'out_of_stock'; sku: string; available: number; message: string }
  | { kind: 'unknown_sku'; message: string };

const messageOf = (body: unknown): string =>
  typeof (body as { message?: unknown })?.message === 'string'
    ? (body as { message: string }).message
    : JSON.stringify(body);

/** orders → inventory `POST /reservations` (libs/contracts/src/inventory-api.ts), signed as a service. */
export class InventoryClient {
  constructor(
    private readonly http: ServiceClient,
    private readonly secret: string,
  ) {}

  async reserve(request: ReservationRequest, requestId: string): Promise<ReserveResult> {
    const response = await this.http.request('POST', '/reservations', {
      // Signed per call: a signature is only good for a few minutes.
      headers: {
        ...signIdentity({ userId: 'orders', role: 'service' }, this.secret),
        'x-request-id': requestId,
      },
      body: request,
    });
    const { status, body } = response;
    if (status === 200 || status === 201) return { kind: 'held', reservation: body as ReservationResponse };
    if (status === 409) {
      const conflict = body as Partial<OutOfStockBody>;
      return {
        kind: 'out_of_stock',
        sku: conflict.sku ?? 'unknown',
        available: conflict.available ?? 0,
        message: messageOf(body),
      };
    }
    if (status === 422) return { kind: 'unknown_sku', message: messageOf(body) };
    if (status >= 500) {
      throw new UpstreamUnavailableError('inventory', `inventory answered ${status}: ${messageOf(body)}`);
    }
    throw new UpstreamRejectedError(
      'inventory',
      status,
      `inventory refused the reservation (${status}): ${messageOf(body)}`,
    );
  }
}
