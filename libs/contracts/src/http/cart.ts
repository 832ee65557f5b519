import { z } from 'zod';
import { sku } from '../events';
import { MAX_LINE_QUANTITY } from '../inventory-api';

// The caller's cart (/api/cart, /api/cart/items), kept by orders.

export const lineQuantity = z.int().min(1).max(MAX_LINE_QUANTITY);

export const cartLine = z.object({ sku, quantity: lineQuantity }).meta({ id: 'CartLine' });
export type CartLine = z.infer<typeof cartLine>;

export const cart = z.object({ items: z.array(cartLine) }).meta({ id: 'Cart' });
export type Cart = z.infer<typeof cart>;

/** PATCH /api/cart/items/:sku */
export const cartQuantityRequest = z.object({ quantity: lineQuantity });
