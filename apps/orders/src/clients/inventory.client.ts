import {
  outOfStockBody,
  reservationResponse,
  type ReservationRequest,
  type ReservationResponse,
} from '@sdp/contracts';
import { signIdentity } from '@sdp/identity';
import {
  parseAnswer,
  ServiceClient,
  UpstreamRejectedError,
  UpstreamUnavailableError,
} from './service-client';

export type ReserveResult =
  | { kind: 'held'; reservation: ReservationResponse }
  | { kind: 'out_of_stock'; sku: string; available: number; message: string }
  | { kind: 'unknown_sku'; message: string };

const outOfStockConflict = outOfStockBody.pick({ sku: true, available: true }).partial();

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
    if (status === 200 || status === 201) {
      return { kind: 'held', reservation: parseAnswer('inventory', reservationResponse, response) };
    }
    if (status === 409) {
      // Read leniently: an answer without the SKU is still "out of stock", only less precise.
      const parsed = outOfStockConflict.safeParse(body);
      const conflict = parsed.success ? parsed.data : {};
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
