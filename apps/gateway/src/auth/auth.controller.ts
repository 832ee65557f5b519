import { Body, Controller, Header, HttpCode, Post, UseGuards } from '@nestjs/common';
import { AuthRateLimitGuard } from '../rate-limit/auth-rate-limit.guard';
import { AuthService } from './auth.service';
import { LoginDto } from './dto/login.dto';
import { RegisterDto } from './dto/register.dto';
import type { LoginResult, UserView } from './dto/user.view';

@Controller('api/auth')
@UseGuards(AuthRateLimitGuard)
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('register')
  @Header('Cache-Control', 'no-store')
  register(@Body() body: RegisterDto): Promise<UserView> {
    return this.auth.register(body);
  }

  @Post('login')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  login(@Body() body: LoginDto): Promise<LoginResult> {
    return this.auth.login(body);
  }
}
