import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { MAX_LINE_QUANTITY, MAX_LINES } from '@sdp/contracts';
import { CartRepository } from './cart.repository';
import type { CartLine, CartView } from './dto/cart.dto';

const limits = { maxQuantity: MAX_LINE_QUANTITY, maxLines: MAX_LINES };

@Injectable()
export class CartService {
  constructor(private readonly repository: CartRepository) {}

  async view(userId: string): Promise<CartView> {
    return { items: await this.repository.lines(userId) };
  }

  lines(userId: string): Promise<CartLine[]> {
    return this.repository.lines(userId);
  }

  async add(userId: string, line: CartLine): Promise<CartView> {
    const result = await this.repository.upsert(userId, line, 'add', limits);
    if (!result.ok) this.refuse(result.reason, line, result.current);
    return this.view(userId);
  }

  async set(userId: string, line: CartLine): Promise<CartView> {
    const result = await this.repository.upsert(userId, line, 'set', limits);
    if (!result.ok) this.refuse(result.reason, line, result.current);
    return this.view(userId);
  }

  async remove(userId: string, sku: string): Promise<CartView> {
    await this.repository.remove(userId, [sku]);
    return this.view(userId);
  }

  async clear(userId: string): Promise<CartView> {
    await this.repository.clear(userId);
    return { items: [] };
  }

  /** After a checkout: drop the lines that were ordered (lines added meanwhile stay). */
  removeOrdered(userId: string, skus: string[]): Promise<void> {
    return this.repository.remove(userId, skus);
  }

  private refuse(
    reason: 'line_too_large' | 'too_many_lines' | 'not_in_cart',
    line: CartLine,
    current: number,
  ): never {
    switch (reason) {
      case 'line_too_large':
        throw new BadRequestException(
          `quantity of ${line.sku} would be ${current + line.quantity}; a line holds at most ${MAX_LINE_QUANTITY}`,
        );
      case 'too_many_lines':
        throw new BadRequestException(
          `a cart holds at most ${MAX_LINES} lines; remove one before adding ${line.sku}`,
        );
      case 'not_in_cart':
        throw new NotFoundException(`${line.sku} is not in the cart`);
    }
  }
}
