import { ConflictException, Injectable, UnauthorizedException } from '@nestjs/common';
import { DUMMY_HASH, hashPassword, verifyPassword } from '../users/password';
import { EmailTakenError, UsersRepository } from '../users/users.repository';
import type { LoginDto } from './dto/login.dto';
import type { RegisterDto } from './dto/register.dto';
import { toUserView, type LoginResult, type UserView } from './dto/user.view';
import { TokenService } from './token.service';

/** One message for an unknown email and a wrong password: the answer must not reveal which emails exist. */
const BAD_CREDENTIALS = 'invalid email or password';

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersRepository,
    private readonly tokens: TokenService,
  ) {}

  /** New accounts are always customers; admins come from the seed (or SQL). */
  async register({ email, password, name }: RegisterDto): Promise<UserView> {
    const passwordHash = await hashPassword(password);
    try {
      return toUserView(await this.users.create({ email, name, role: 'customer', passwordHash }));
    } catch (error) {
      if (error instanceof EmailTakenError)
        throw new ConflictException(`email ${email} is already registered`);
      throw error;
    }
  }

  async login({ email, password }: LoginDto): Promise<LoginResult> {
    const user = await this.users.findForLogin(email);
    // Hash even for an unknown email, so both failures take the same time.
    const matches = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !matches) throw new UnauthorizedException(BAD_CREDENTIALS);
    const view = toUserView(user);
    const accessToken = await this.tokens.issue({ userId: user.id, role: user.role, email: user.email });
    return { accessToken, expiresIn: this.tokens.ttlSeconds, tokenType: 'Bearer', user: view };
  }
}
