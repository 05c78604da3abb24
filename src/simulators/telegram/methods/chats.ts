import type { ChatFullInfo, ChatMember, ForumTopic, User } from 'grammy/types';
import { badRequest } from '../errors.js';
import type { SimChat, World } from '../world.js';
import type { MethodHandler } from './context.js';

// The colours Telegram allows for topic icons; the first is its default.
const TOPIC_COLORS = [0x6fb9f0, 0xffd67e, 0xcb86db, 0x8eee98, 0xff93b2, 0xfb6f5f];

export const getChat: MethodHandler = ({ world }, params) => {
  const chat = world.chatForBot(params.chatId());
  const info = {
    ...world.chatObject(chat), accent_color_id: 0, max_reaction_count: 11,
    accepted_gift_types: { unlimited_gifts: false, limited_gifts: false, unique_gifts: false, premium_subscription: false },
  };
  return info as unknown as ChatFullInfo;
};

export const getChatMember: MethodHandler = ({ world }, params) => {
  const chat = world.chatForBot(params.chatId());
  const userId = params.requiredInt('user_id');
  const user = world.knownUser(userId);
  if (!user) throw badRequest('user not found');
  return memberOf(world, chat, user);
};

/** The creator (first member) and the bot when it is an admin. */
export const getChatAdministrators: MethodHandler = ({ world }, params) => {
  const chat = world.chatForBot(params.chatId());
  const creator = chat.members.values().next().value;
  const admins: ChatMember[] = creator ? [memberOf(world, chat, creator)] : [];
  if (chat.botStatus === 'administrator') admins.push(memberOf(world, chat, world.bot));
  return admins;
};

export const getChatMemberCount: MethodHandler = ({ world }, params) => {
  const chat = world.chatForBot(params.chatId());
  return chat.members.size + 1;
};

function memberOf(world: World, chat: SimChat, user: User): ChatMember {
  if (user.id === world.bot.id) {
    if (chat.botStatus !== 'administrator') return { status: chat.botStatus === 'kicked' ? 'kicked' : 'member', user, ...(chat.botStatus === 'kicked' ? { until_date: 0 } : {}) } as ChatMember;
    return {
      status: 'administrator', user, can_be_edited: false, is_anonymous: false, can_manage_chat: true, can_delete_messages: true,
      can_manage_video_chats: true, can_restrict_members: true, can_promote_members: false, can_change_info: true,
      can_invite_users: true, can_post_stories: false, can_edit_stories: false, can_delete_stories: false,
      can_pin_messages: true, ...(chat.type === 'supergroup' ? { can_manage_topics: chat.botCanManageTopics } : {}),
    } as ChatMember;
  }
  if (!chat.members.has(user.id)) return { status: 'left', user };
  const creatorId = chat.members.keys().next().value;
  return user.id === creatorId ? { status: 'creator', user, is_anonymous: false } : { status: 'member', user };
}

/** Only in a forum, and only for an admin with can_manage_topics; the topic id is its creation message's id. */
export const createForumTopic: MethodHandler = ({ world }, params) => {
  const chat = world.chatForBot(params.chatId());
  const name = params.requiredString('name');
  if (name.length > 128) throw badRequest('TOPIC_TITLE_INVALID');
  if (!chat.isForum || chat.botStatus !== 'administrator' || !chat.botCanManageTopics) {
    throw badRequest('not enough rights to create a topic');
  }
  const iconColor = params.int('icon_color') ?? TOPIC_COLORS[0]!;
  if (!TOPIC_COLORS.includes(iconColor)) throw badRequest('TOPIC_COLOR_INVALID');
  const created = world.addMessage(chat, { from: world.bot, sentByBot: true, service: { forum_topic_created: { name, icon_color: iconColor } } });
  created.threadId = created.message_id;
  created.isTopicMessage = true;
  chat.topics.set(created.message_id, { threadId: created.message_id, name, iconColor, closed: false, createdByBot: true });
  const topic: ForumTopic = { message_thread_id: created.message_id, name, icon_color: iconColor };
  return topic;
};

export const closeForumTopic: MethodHandler = (ctx, params) => setTopicClosed(ctx.world, params.chatId(), params.requiredInt('message_thread_id'), true);
export const reopenForumTopic: MethodHandler = (ctx, params) => setTopicClosed(ctx.world, params.chatId(), params.requiredInt('message_thread_id'), false);

/** Allowed to admins with can_manage_topics, and to the topic's creator. */
function setTopicClosed(world: World, chatId: number, threadId: number, closed: boolean): true {
  const chat = world.chatForBot(chatId);
  const topic = chat.isForum ? chat.topics.get(threadId) : undefined;
  if (!topic) throw badRequest('message thread not found');
  const mayManage = (chat.botStatus === 'administrator' && chat.botCanManageTopics) || topic.createdByBot;
  if (!mayManage) throw badRequest('not enough rights to manage topics');
  if (topic.closed === closed) throw badRequest('TOPIC_NOT_MODIFIED');
  topic.closed = closed;
  world.addMessage(chat, {
    from: world.bot, sentByBot: true, threadId, isTopicMessage: true,
    service: closed ? { forum_topic_closed: {} } : { forum_topic_reopened: {} },
  });
  return true;
}
