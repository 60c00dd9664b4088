// The provider registry: adding a provider means one file and one line here. Every client is
// guarded: what it answers is sanitized before anything stores or shows it.
import { guardProviders } from '../core/guardProvider';
import { ProviderId } from '../core/types';
import { gateway } from './gateway';
import { hidream } from './hidream';
import { pika } from './pika';
import { ProviderClient } from './provider';

export const PROVIDERS: Record<ProviderId, ProviderClient> = guardProviders({ pika, gateway, hidream });
