import { Injectable } from '@nestjs/common';
import { DataSource, QueryFailedError, type Repository } from 'typeorm';
import { User } from './user.entity';

export class EmailTakenError extends Error {}

@Injectable()
export class UsersRepository {
  private readonly users: Repository<User>;

  constructor(dataSource: DataSource) {
    this.users = dataSource.getRepository(User);
  }

  /** With the password hash (which plain reads never select). */
  findForLogin(email: string): Promise<User | null> {
    return this.users
      .createQueryBuilder('user')
      .addSelect('user.passwordHash')
      .where('user.email = :email', { email })
      .getOne();
  }

  async create(user: Pick<User, 'email' | 'name' | 'role' | 'passwordHash'>): Promise<User> {
    try {
      const saved = await this.users.save(this.users.create(user));
      return saved;
    } catch (error) {
      // 23505 unique_violation: two registrations of one email can race; the database decides.
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23505')
        throw new EmailTakenError(user.email);
      throw error;
    }
  }
}
