import { Body, Controller, Delete, Get, Header, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { CurrentIdentity, RequireIdentity, type Identity } from '@sdp/identity';
import { CartService } from './cart.service';
import { AddCartItemDto, CartQuantityDto, SkuParams, type CartView } from './dto/cart.dto';

/** The caller's own cart: the user id always comes from the verified identity, never from the URL. */
@Controller('cart')
@RequireIdentity('customer', 'admin')
export class CartController {
  constructor(private readonly cart: CartService) {}

  @Get()
  @Header('Cache-Control', 'private, no-store')
  view(@CurrentIdentity() identity: Identity): Promise<CartView> {
    return this.cart.view(identity.userId);
  }

  @Post('items')
  @HttpCode(200)
  add(@CurrentIdentity() identity: Identity, @Body() line: AddCartItemDto): Promise<CartView> {
    return this.cart.add(identity.userId, { sku: line.sku, quantity: line.quantity });
  }

  @Patch('items/:sku')
  set(
    @CurrentIdentity() identity: Identity,
    @Param() { sku }: SkuParams,
    @Body() { quantity }: CartQuantityDto,
  ): Promise<CartView> {
    return this.cart.set(identity.userId, { sku, quantity });
  }

  @Delete('items/:sku')
  remove(@CurrentIdentity() identity: Identity, @Param() { sku }: SkuParams): Promise<CartView> {
    return this.cart.remove(identity.userId, sku);
  }

  @Delete()
  clear(@CurrentIdentity() identity: Identity): Promise<CartView> {
    return this.cart.clear(identity.userId);
  }
}
