// The provider registry: adding a provider means one file and one line here.
import { ProviderId } from '../core/types';
import { gateway } from './gateway';
import { hidream } from './hidream';
import { pika } from './pika';
import { ProviderClient } from './provider';

export const PROVIDERS: Record<ProviderId, ProviderClient> = { pika, gateway, hidream };
