import type { User, UserRole } from '../../users/user.entity';

export interface UserView {
  id: string;
  email: string;
  name: string;
  role: UserRole;
}

export interface LoginResult {
  accessToken: string;
  /** Seconds until the token expires. */
  expiresIn: number;
  tokenType: 'Bearer';
  user: UserView;
}

export const toUserView = (user: User): UserView => ({
  id: user.id,
  email: user.email,
  name: user.name,
  role: user.role,
});
